"""SQLModel tables, one module per concept. Importing this package registers every table."""

from sqlmodel import SQLModel

from models.conversation import Conversation
from models.product import Product, ProductPhoto
from models.sale import Sale
from models.update import ProcessedUpdate
from models.user import Role, User

metadata = SQLModel.metadata

__all__ = [
    "Conversation",
    "ProcessedUpdate",
    "Product",
    "ProductPhoto",
    "Role",
    "Sale",
    "User",
    "metadata",
]
